"""Scanned reports: images (PNG, JPEG, TIFF) and image-only PDFs read by OCR (``gongkai[ocr]``)."""
