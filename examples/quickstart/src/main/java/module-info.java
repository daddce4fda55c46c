/** The quickstart as a module: on the module path it reads org.attn4j like any modular application. */
module org.attn4j.examples.quickstart {
    requires org.attn4j;
}
