"""License knowledge base and classifier.

- :mod:`modelaudit.licenses.schema`    the license_db record schema and its vocabularies
- :mod:`modelaudit.licenses.db`        ``load_db()``: license_db records overlaid on the SPDX list
- :mod:`modelaudit.licenses.normalize` ``normalize()``: declared value → license id / SPDX expression / unknown
- :mod:`modelaudit.licenses.identify`  ``identify_text()``: LICENSE-like text → license id, confidence, evidence
                                       (or unknown with the best candidate)
- :mod:`modelaudit.licenses.spdx_text` ``scan_spdx()``: the SPDX license texts a text holds (licenseclassifier)
- :mod:`modelaudit.licenses.assess`    ``assess_record()`` and ``obligations_for()``: per-node assessment

Nothing is imported here, so ``import modelaudit.licenses`` stays cheap.
"""
