python src/cli_demo.py \
  --model_name_or_path THUDM/chatglm-6b \
  --top_p 0.25 \
  --temperature 0.95 \
  --checkpoint_dir harry_potter/checkpoint-550 \

