"""MACE Hub: the case, intelligence and performance platform of a MACE hub."""
