"""The manifest layer: the issue's YAML read with positions, validated against the schema and the files
beside it, the style sheet, lengths, and the located errors every other layer reports with."""
