"""The staff console's views: parse, call a workflow or selector, render."""
