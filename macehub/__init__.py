"""MACE Hub: case, intelligence and performance platform for a Multi-Agency Child Exploitation hub."""
