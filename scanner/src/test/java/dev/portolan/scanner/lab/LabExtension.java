package dev.portolan.scanner.lab;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class its own {@link Lab} and always tears it down, also when tests fail. Lab
 * tests need root (namespaces, raw sockets): without it they are skipped with a reason, except in
 * CI (CI=true), where a lab that cannot be built is a failure, never a silent skip.
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(LabExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && !"true".equals(System.getenv("CI"))) {
      Assumptions.abort("lab tests need root (network namespaces and raw sockets): run them with sudo, or in CI");
    }
    context.getStore(STORE).put(Lab.class, Lab.create());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Lab lab = context.getStore(STORE).remove(Lab.class, Lab.class);
    if (lab != null) {
      lab.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Lab.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getStore(STORE).get(Lab.class, Lab.class);
  }
}
