"""Models for this app arrive with its issue; every model holding personal data gets HistoricalRecords()."""
