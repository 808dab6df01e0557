package dev.bkv.modelcheck;

/** One model's run: what was expected, what TLC reported, and the verdict. */
public record ModelReport(String spec, ModelEntry model, TlcResult result, ModelVerdict verdict) {}
