package org.attn4j.internal.module;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a module class M extending {@code ConfiguredModule<C>}: attn4j-processor (java/processor)
 * writes {@code MBuilder}, a setter per component of the configuration record C, while M
 * compiles. M's {@code builder()} returns {@code new MBuilder(FACTORY)}.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface ConfigBuilder {
}
