/// The Stages module (being built; see DESIGN.md section 2).
public enum StagesModule {}
