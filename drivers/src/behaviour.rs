pub trait TestBench {}
