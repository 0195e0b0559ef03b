#!/usr/bin/env bash

huggingface-cli download meta-llama/Llama-3.2-3B-Instruct  --local-dir llama-3.2-3B-instruct --local-dir-use-symlinks False
