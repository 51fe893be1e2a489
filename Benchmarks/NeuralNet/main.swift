// Benchmark entry point for this area (filled in by its owner).
print("no benchmark yet")
