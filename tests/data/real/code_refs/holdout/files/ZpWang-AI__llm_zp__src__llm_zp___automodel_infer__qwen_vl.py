from utils_zp import *
from ._llm_base_class import LLMBaseClass_zp

"""
https://huggingface.co/Qwen/Qwen2.5-VL-7B-Instruct

pip install accelerate
pip install qwen_vl_utils
"""


class Qwen2_5_VL(LLMBaseClass_zp):
    @property
    def model(self):
        if self._model is None:
            if self.model_load_mode == 'bf16':
                device_map = 'cuda:0' if self.input_device != 'auto' else 'auto'
                model_kwargs = {
                    'dtype': torch.bfloat16,
                    'low_cpu_mem_usage': True,
                    'trust_remote_code': True,
                    'device_map': device_map,
                }
            else:
                raise Exception(f'wrong mode: {self.model_load_mode}')
            
            from transformers import AutoModelForImageTextToText
            self._model = AutoModelForImageTextToText.from_pretrained(
                self.model_or_model_path, 
                **model_kwargs
            ).eval()
            self._self_model_merge_adapter()
        
        return self._model
    
    def tokenize(self, conversation, fps:float=None, num_frames:int=None):
        if fps is not None:
            for qa in conversation:
                for content in qa['content']:
                    if content['type'] == 'video':
                        content['fps'] = fps
        elif num_frames is not None:
            for qa in conversation:
                for content in qa['content']:
                    if content['type'] == 'video':
                        cur_video = Video_custom(video['video'])
                        content['fps'] = num_frames / cur_video.duration

        from qwen_vl_utils import process_vision_info
        text = self.processor.apply_chat_template(
            conversation,
            add_generation_prompt=True,
            tokenize=False,
        )
        image_inputs, video_inputs, video_kwargs = process_vision_info(conversation, return_video_kwargs=True)

        inputs = self.processor(
            text=[text],
            images=image_inputs,
            videos=video_inputs,
            padding=True,
            return_tensors="pt",
            **video_kwargs
        )
        return inputs