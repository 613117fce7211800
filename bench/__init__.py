"""Speed and size measurements (`make bench`); never part of `make test`. See bench/README.md."""
