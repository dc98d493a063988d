"""Units (單位, 醫事機構): finding and describing them (``directory``), Taiwan's counties
and districts for the unit picker (``districts``), and loading the national open-data
list of institutions (``importing``)."""
