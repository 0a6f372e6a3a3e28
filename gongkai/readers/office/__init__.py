"""DOC, Kingsoft WPS, RTF and ODT: converted to DOCX by LibreOffice headless, then read as DOCX."""
