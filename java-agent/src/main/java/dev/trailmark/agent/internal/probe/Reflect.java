package dev.trailmark.agent.internal.probe;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls public methods of the application's libraries (Servlet, Apache HttpClient, the AWS SDK),
 * which the agent's class loader cannot see. Methods are looked up once per class and name, then
 * cached.
 */
final class Reflect {

  private static final ClassValue<Map<String, Method>> METHODS =
      new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  private Reflect() {}

  /**
   * What the agent's interceptor proxies answer for {@code toString}, {@code hashCode}, {@code
   * equals} and the interface's default methods they do not implement themselves (null for any
   * other method).
   */
  static Object proxyDefault(Object proxy, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    switch (method.getName()) {
      case "toString":
        return "TrailmarkAgentInterceptor";
      case "hashCode":
        return System.identityHashCode(proxy);
      case "equals":
        return proxy == args[0];
      default:
        return method.isDefault()
            ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
            : null;
    }
  }

  /**
   * {@code method} called on {@code target}, throwing what the method throws, not the reflection
   * wrapper: for the agent's proxies that hand a call on to the application's own object.
   */
  static Object invoke(Method method, Object target, Object... args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** {@code target.name(args)}, for a method whose parameter count is {@code args.length}. */
  static Object call(Object target, String name, Object... args) {
    Map<String, Method> methods = METHODS.get(target.getClass());
    String key = name + "/" + args.length;
    Method method = methods.get(key);
    if (method == null) {
      method = find(target.getClass(), name, args.length);
      methods.put(key, method);
    }
    try {
      return method.invoke(target, args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("calling " + target.getClass().getName() + "." + name, e);
    }
  }

  /** {@code target.name(args)} on the method with exactly these parameter types. */
  static Object callTyped(Object target, String name, Class<?>[] types, Object... args) {
    StringBuilder key = new StringBuilder(name).append('(');
    for (Class<?> t : types) {
      key.append(t.getName()).append(',');
    }
    Map<String, Method> methods = METHODS.get(target.getClass());
    Method method = methods.get(key.toString());
    if (method == null) {
      try {
        method = publicMethod(target.getClass(), name, types);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
      methods.put(key.toString(), method);
    }
    try {
      return method.invoke(target, args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("calling " + target.getClass().getName() + "." + name, e);
    }
  }

  private static Method find(Class<?> type, String name, int parameters) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == parameters) {
        return accessible(type, m);
      }
    }
    throw new IllegalStateException(
        "no method " + name + "/" + parameters + " on " + type.getName());
  }

  private static Method publicMethod(Class<?> type, String name, Class<?>[] types)
      throws NoSuchMethodException {
    return accessible(type, type.getMethod(name, types));
  }

  /**
   * A public method of a non-public class is called through the public interface or superclass
   * declaring it.
   */
  private static Method accessible(Class<?> type, Method m) {
    if (java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
      return m;
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        Method viaInterface = publicIn(i, m);
        if (viaInterface != null) {
          return viaInterface;
        }
      }
      if (c != type && java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
        Method viaSuper = publicIn(c, m);
        if (viaSuper != null) {
          return viaSuper;
        }
      }
    }
    m.setAccessible(true); // application classes live in unnamed modules, which are open
    return m;
  }

  private static Method publicIn(Class<?> type, Method m) {
    try {
      Method found = type.getMethod(m.getName(), m.getParameterTypes());
      return java.lang.reflect.Modifier.isPublic(found.getDeclaringClass().getModifiers())
          ? found
          : null;
    } catch (NoSuchMethodException e) {
      for (Class<?> parent : type.getInterfaces()) {
        Method found = publicIn(parent, m);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
  }
}
