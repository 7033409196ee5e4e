"""What the planner reads: the workbook, the GeoPackage, the map page, the public notice."""
