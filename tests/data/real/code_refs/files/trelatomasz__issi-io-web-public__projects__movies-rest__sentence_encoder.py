from sentence_transformers import SentenceTransformer

# https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2
# https://www.sbert.net/docs/sentence_transformer/pretrained_models.html

encoder = SentenceTransformer("all-MiniLM-L6-v2")

