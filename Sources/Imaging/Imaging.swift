/// The Imaging module (being built; see DESIGN.md section 2).
public enum ImagingModule {}
