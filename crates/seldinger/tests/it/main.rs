//! Integration tests of the `seldinger` binary: the real executable, a fresh database,
//! and (for `browser` and `pathway`) a real Chromium driven through chromedriver.

mod browser;
mod cli;
mod outcome;
mod pathway;
#[allow(
    dead_code,
    reason = "shared by every test module; not every module uses every helper"
)]
mod support;
