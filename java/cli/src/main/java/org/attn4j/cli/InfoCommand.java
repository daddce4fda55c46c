package org.attn4j.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.attn4j.Attn4j;
import org.attn4j.nn.BidirectionalOptions;

/** {@code attn4j info}: library version, backend, oneDNN version, ISA, threads, fused kernel ISA. */
final class InfoCommand {
    static final String USAGE = """
            attn4j info
              Prints the library version, the default backend (-Dattn4j.backend) and its threads
              (-Dattn4j.threads), the oneDNN version and ISA, the fused kernel's code path, where
              AttentionPath.AUTO changes from materialised to fused, and the file libattn4j.so was
              loaded from.""";

    private InfoCommand() {
    }

    static int run(List<String> args, PrintStream out) {
        if (!args.isEmpty()) {
            throw new UsageException("info: expected no arguments, got " + String.join(" ", args));
        }
        Attn4j.Info info = Attn4j.info();
        out.println("attn4j        " + info.version());
        out.println("backend       " + info.backend());
        out.println("threads       " + info.threads());
        out.println("oneDNN        " + info.onednnVersion());
        out.println("ISA           " + info.isa());
        out.println("fused kernel  " + info.fusedKernelIsa());
        out.println(String.format(Locale.ROOT, "AUTO path     bidirectional attention materialised for thin slices (up to %,d "
                + "scores per (b, h) slice, %,d in all, i or j at least %,d), fused otherwise",
                BidirectionalOptions.MATERIALISED_MAX_SLICE_SCORES, BidirectionalOptions.MATERIALISED_MAX_SCORES,
                BidirectionalOptions.MATERIALISED_MIN_LONG_SIDE));
        out.println("library       " + Attn4j.libraryPath());
        out.println("java          " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        return 0;
    }
}
