package org.attn4j.internal.module;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On an options record R: attn4j-processor (java/processor) writes {@code RBuilder}, a field and a
 * setter per component, started from the R it is given, and {@code build()}. R declares its
 * defaults once, as {@code DEFAULT}, and its {@code builder()} returns {@code new RBuilder(DEFAULT)}.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface OptionsBuilder {
}
