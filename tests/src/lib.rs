//! End-to-end test harness: devserve on the example app, files edited on disk, headless Chromium.
