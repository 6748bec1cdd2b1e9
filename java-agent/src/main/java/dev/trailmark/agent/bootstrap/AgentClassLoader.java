package dev.trailmark.agent.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Loads the agent's implementation and its shaded libraries from {@code inst/**.classdata} entries
 * of the agent jar. Its parent is the platform loader, so the JDK and the bootstrap bridge are
 * shared and nothing of the application is seen.
 */
public final class AgentClassLoader extends ClassLoader {

  static {
    registerAsParallelCapable();
  }

  private static final String PREFIX = "inst/";

  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;

  public AgentClassLoader(JarFile jar) throws MalformedURLException {
    super("trailmark-agent", ClassLoader.getPlatformClassLoader());
    this.jar = jar;
    URL location = new java.io.File(jar.getName()).toURI().toURL();
    this.jarUrl = "jar:" + location + "!/";
    this.domain =
        new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    ZipEntry entry = jar.getEntry(PREFIX + name.replace('.', '/') + ".classdata");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    try (InputStream in = jar.getInputStream(entry)) {
      byte[] bytes = readAll(in, (int) entry.getSize());
      return defineClass(name, bytes, 0, bytes.length, domain);
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  @Override
  protected URL findResource(String name) {
    String path = entryName(name);
    if (jar.getEntry(path) == null) {
      return null;
    }
    try {
      return new URL(jarUrl + path);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null
        ? Collections.emptyEnumeration()
        : Collections.enumeration(Collections.singletonList(url));
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    // ByteBuddy reads advice class files through here: straight from the open jar, no URL round
    // trip.
    ZipEntry entry = jar.getEntry(entryName(name));
    if (entry == null) {
      return super.getResourceAsStream(name);
    }
    try {
      return jar.getInputStream(entry);
    } catch (IOException e) {
      return null;
    }
  }

  private static String entryName(String name) {
    return name.endsWith(".class")
        ? PREFIX + name.substring(0, name.length() - ".class".length()) + ".classdata"
        : PREFIX + name;
  }

  /**
   * The whole entry, read straight into one array when its size is known (as for every entry of the
   * agent jar): a buffer and a growable copy would triple the garbage of loading the ~2,000 classes
   * of the metrics pipeline.
   */
  private static byte[] readAll(InputStream in, int size) throws IOException {
    if (size < 0) {
      return in.readAllBytes();
    }
    byte[] bytes = new byte[size];
    int read = in.readNBytes(bytes, 0, size);
    if (read != size) {
      throw new IOException("agent jar entry shorter than its declared " + size + " bytes");
    }
    return bytes;
  }
}
