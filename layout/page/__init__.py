"""The page layer: the page grid, furniture, story placement on a skyline and the column flow, producing
the composed frames (plain data) that the PDF, proofs, print files and archives all read."""
