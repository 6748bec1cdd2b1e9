package dev.trailmark.agent.testapp;

/** Prints, for each class name given, whether the application class loader can load it. */
public final class VisibilityApp {

  public static void main(String[] args) {
    ClassLoader app = VisibilityApp.class.getClassLoader();
    for (String name : args) {
      String verdict;
      try {
        Class.forName(name, false, app);
        verdict = "VISIBLE";
      } catch (ClassNotFoundException e) {
        verdict = "HIDDEN";
      }
      boolean resource = app.getResource(name.replace('.', '/') + ".class") != null;
      System.out.println("CLASS " + name + " " + verdict + (resource ? " RESOURCE" : ""));
    }
    System.out.println("READY 0");
  }
}
