# Zero-padded dates, as Korean business software writes them: 2026. 11. 24.
DATE_FORMAT = "Y년 n월 j일"
SHORT_DATE_FORMAT = "Y. m. d."
DATETIME_FORMAT = "Y년 n월 j일 H:i"
SHORT_DATETIME_FORMAT = "Y. m. d. H:i"
