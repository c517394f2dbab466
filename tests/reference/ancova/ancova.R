# Reference values for outcomes.models.ancova: lm + emmeans at visit 7 of the antidepressant trial.
# Run from the repository's top folder:  Rscript tests/reference/ancova/ancova.R
# Made with R 4.2.2 and emmeans 1.8.4-1 (Debian bookworm).
library(emmeans)
d <- read.csv("tests/datasets/antidepressant_data.csv", colClasses = c(VISIT = "character"))
d <- d[d$VISIT == "7", ]
d$THERAPY <- factor(d$THERAPY, levels = c("PLACEBO", "DRUG"))
fit <- lm(CHANGE ~ BASVAL + THERAPY, data = d)
emm <- emmeans(fit, ~ THERAPY)
con <- as.data.frame(confint(contrast(emm, method = "revpairwise")))
tst <- as.data.frame(contrast(emm, method = "revpairwise"))
out <- data.frame(contrast = con$contrast, estimate = con$estimate, SE = con$SE, df = con$df,
                  lower.CL = con$lower.CL, upper.CL = con$upper.CL, p.value = tst$p.value)
write.csv(out, "tests/reference/ancova/antidepressant_visit7_contrast.csv", row.names = FALSE)
write.csv(as.data.frame(emm), "tests/reference/ancova/antidepressant_visit7_emmeans.csv",
          row.names = FALSE)
writeLines(c(R.version.string, paste("emmeans", packageVersion("emmeans"))),
           "tests/reference/ancova/versions.txt")
