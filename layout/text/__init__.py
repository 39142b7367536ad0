"""The text layer: fonts and shaping, hyphenation, Markdown bodies, line breaking and the paragraph
builder that turns runs of text into positioned lines."""
