"""XLSX workbooks: a whole report laid out on sheets, or a supervisor's spreadsheet of its tables."""

from gongkai.readers.xlsx.reader import xlsx_to_document

__all__ = ["xlsx_to_document"]
