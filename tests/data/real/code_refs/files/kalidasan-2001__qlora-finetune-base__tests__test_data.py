from unittest import TestCase
from src.qlora_finetune_base.data.dataset_loader import load_dataset
from src.qlora_finetune_base.data.preprocess import preprocess_data

class TestDataLoading(TestCase):
    def test_load_dataset(self):
        # Test loading a dataset from a sample JSONL file
        dataset = load_dataset('path/to/sample.jsonl')
        self.assertIsNotNone(dataset)
        self.assertGreater(len(dataset), 0)

class TestDataPreprocessing(TestCase):
    def test_preprocess_data(self):
        # Test preprocessing of the loaded dataset
        raw_data = [{'text': 'Sample text for preprocessing.'}]
        processed_data = preprocess_data(raw_data)
        self.assertIsInstance(processed_data, list)
        self.assertGreater(len(processed_data), 0)
        self.assertIn('input_ids', processed_data[0])  # Assuming 'input_ids' is a key in the processed data

# Additional tests can be added as needed for more comprehensive coverage.