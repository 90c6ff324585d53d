"""Files in and out: Excel workbooks and PDF documents; imports the domain only."""
