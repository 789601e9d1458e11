"""A `# cnnaudit: ignore[...]` comment that suppresses nothing.

## What it does
Reports suppression comments in your model's files that matched no finding on
their line, and bare `# cnnaudit: ignore` comments without codes (there is no
catch-all suppression).

## Why is this bad?
A stale suppression hides the next real finding on that line, and nobody
remembers why it is there. A bare one would hide everything.

## Example
```python
self.conv = nn.Conv2d(3, 16, 3, bias=False)  # cnnaudit: ignore[CNA202]
```

## Use instead
```python
self.conv = nn.Conv2d(3, 16, 3, bias=False)
```
"""

from . import rule


@rule("CNA002", "unused-suppression", "warning")
def check(ctx):
    # The engine reports these once every other rule has run (it alone knows
    # which suppressions were used); this module carries the code and the docs.
    return ()
