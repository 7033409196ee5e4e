"""Writing files safely: atomic plan folders, CSV and JSON, worksheets."""
