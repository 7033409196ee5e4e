"""Monthly visits (VISIT-DAYS, VISIT-LOG): the visit calendar, .ics files and compliance from work logs."""
