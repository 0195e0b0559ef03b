source venv/bin/activate
huggingface-cli download Salesforce/instructblip-flan-t5-xxl
