"""The customer side's views: parse, call a workflow or selector, render."""
