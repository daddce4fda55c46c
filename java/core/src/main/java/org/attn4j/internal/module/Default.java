package org.attn4j.internal.module;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a configuration record's component takes when a builder leaves it unset or a model
 * file's {@code __metadata__} lacks it, written as the metadata would hold it ("8", "1e-5",
 * "false", "relu"). A component without {@code @Default} or {@link SameAs} is required when it is
 * a primitive, and null (absent) otherwise.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}
