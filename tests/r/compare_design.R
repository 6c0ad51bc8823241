# Reference values for tests/test_compare_design.py and tests/test_breakdown_twoway.py.
# R 4.x, package survey (Lumley). Run from tests/r:  Rscript compare_design.R
suppressMessages(library(survey))
d <- read.csv("compare_design.csv")
d$stratum <- paste(d$inspection, d$Sex, d$Risk)
qs <- c("q1", "q2", "q3")
f <- function(x) sprintf("%.15f", x)
# 1. each inspection its own design: svymean over the applicable cases
for (insp in c("before", "after")) {
  des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, data=d[d$inspection == insp, ])
  for (q in qs) {
    m <- svymean(as.formula(paste0("~", q)), subset(des, !is.na(des$variables[[q]])))
    cat("svymean", insp, q, f(coef(m)), f(SE(m)), "\n")
  }
}
# 2. one design, inspection as strata: after minus before by svycontrast
des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, data=d)
for (q in qs) {
  b <- svyby(as.formula(paste0("~", q)), ~inspection, subset(des, !is.na(des$variables[[q]])), svymean,
             covmat=TRUE)
  k <- svycontrast(b, c(after=1, before=-1))
  cat("svycontrast", q, f(coef(k)), f(SE(k)), "\n")
}
# 3. two-way domains of the 'before' inspection: Office x Sex (Office not a stratum) and Sex x Risk
des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, data=d[d$inspection == "before", ])
for (q in qs) {
  sub <- subset(des, !is.na(des$variables[[q]]))
  for (by in list(~Office + Sex, ~Sex + Risk)) {
    b <- svyby(as.formula(paste0("~", q)), by, sub, svymean)
    for (i in seq_len(nrow(b)))
      cat("svyby", q, paste(b[i, all.vars(by)], collapse="/"), f(b[i, q]), f(SE(b)[i]), "\n")
  }
}
