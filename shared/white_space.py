"""White space as Python's `str.strip()` and `re`'s `\\s` know it, spelled out for JSON Schema patterns.

A pattern in the OpenAPI document is read with JavaScript's rules, whose `\\s` leaves out U+001C to
U+001F and U+0085 and takes U+FEFF. Written as `\\s` there, a pattern would call a value valid that
the API strips to nothing (or refuse one it takes); spelled out, both read it alike.
"""

WHITE_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
VISIBLE = f"[^{WHITE_SPACE}]"  # `\S`, read alike by both
