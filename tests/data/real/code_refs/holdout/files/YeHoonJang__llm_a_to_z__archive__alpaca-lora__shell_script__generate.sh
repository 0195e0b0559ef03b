python generate.py \
--base_model "decapoda-research/llama-7b-hf" \
--lora_weights "./outputs/llama_7b_koalpaca_temp" \
--prompt_template "custom" \
--share_gradio
