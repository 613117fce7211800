"""The API's views, one module per resource. Thin: parse, call a selector or workflow, render."""
