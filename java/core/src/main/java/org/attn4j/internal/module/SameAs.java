package org.attn4j.internal.module;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A configuration record's component that, when unset or absent from {@code __metadata__}, takes
 * the value of another component of the same record (context_dim defaults to dim).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface SameAs {
    /** The other component's Java name ("dim"). */
    String value();
}
