package org.attn4j.bench;

/** A contender that could not be set up at all (its library did not load): every row says why. */
final class UnavailableContender implements Contender {
    private final String name;
    private final String variant;
    private final String reason;

    UnavailableContender(String name, String variant, String reason) {
        this.name = name;
        this.variant = variant;
        this.reason = reason;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String variant() {
        return variant;
    }

    @Override
    public Unavailable unavailable(Workload w) {
        return new Unavailable("error", reason);
    }

    @Override
    public Check check(BenchInputs in, Progress.Task task) {
        throw new IllegalStateException(label() + ": " + reason);
    }

    @Override
    public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) {
        throw new IllegalStateException(label() + ": " + reason);
    }

    @Override
    public String describe() {
        return "not available: " + reason;
    }
}
