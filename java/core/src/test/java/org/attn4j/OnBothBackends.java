package org.attn4j;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A test run once per test backend, given its name ("native", "java"; {@link TestBackends#named}
 * gives the backend: by name, because JUnit would close an AutoCloseable argument).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@ValueSource(strings = {"native", "java"})
public @interface OnBothBackends {
}
