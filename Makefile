# MyCRM — everyday commands. `make dev` runs everything locally, `make check`
# is the quick loop (no Java or Node needed by its Go tests), `make test`
# checks everything. See README.md ("Run it locally").

GO        ?= go
FUNCTIONS := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
GOFILES    = $(shell find . -name '*.go' -not -path './web/*' -not -path '*/node_modules/*' -not -path './.local/*')
DEV_FLAGS ?=

.PHONY: dev reset check test fmt-check vet staticcheck build clean node-modules

## dev: run the whole stack locally (API + web on http://localhost:3000), data kept in .local/dev
dev: node-modules web
	$(GO) run ./infra/local $(DEV_FLAGS)

## reset: wipe the local data (.local/dev)
reset:
	rm -rf .local/dev

## check: the quick loop: gofmt, go vet, staticcheck, `go test -short` (the tests that need
##   the emulators skip) and the web client's type-check
check: fmt-check vet staticcheck web/node_modules/.package-lock.json
	$(GO) test -short ./...
	cd web && npx tsc --noEmit

# staticcheck from PATH, else from $(go env GOPATH)/bin (go install honnef.co/go/tools/cmd/staticcheck@latest).
staticcheck:
	@sc=$$(command -v staticcheck || echo "$$($(GO) env GOPATH)/bin/staticcheck"); \
	if [ ! -x "$$sc" ]; then echo "staticcheck not found: go install honnef.co/go/tools/cmd/staticcheck@latest"; exit 1; fi; \
	"$$sc" ./...

## test: gofmt, go vet and every test (the e2e tests start their own stack on free ports)
test: node-modules fmt-check vet lint-template web web-test browser-deps
	MYCRM_BROWSER_TEST=required $(GO) test -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz-short

fmt-check:
	@out="$$(gofmt -l $(GOFILES))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# cfn-lint (and the SAM translator, run by samtemplate's TestSAMTranslation) are
# Python tools: missing, they fail the build under CI (CI=true) and are skipped otherwise.
SAM_TOOLS_INSTALL := pip install aws-sam-translator==1.110.0 cfn-lint==1.51.0
.PHONY: lint-template
## lint-template: cfn-lint on template.yaml
lint-template:
	@if command -v cfn-lint >/dev/null 2>&1; then echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	elif [ "$$CI" = true ]; then echo "cfn-lint is missing: $(SAM_TOOLS_INSTALL)"; exit 1; \
	else echo "cfn-lint is missing, template not linted ($(SAM_TOOLS_INSTALL))"; fi

# Fuzz targets (package:Target), each run for FUZZTIME by `make fuzz-short` (part of
# `make test`); their seed corpora are in <package>/testdata/fuzz/<Target>.
FUZZ_TARGETS := internal/phone:FuzzNormalizePhone internal/phone:FuzzParseMatchesPhonenumbers internal/crm:FuzzNormalizeEmail internal/crm:FuzzNormalizeSIREN \
	internal/crm:FuzzAffaireRules internal/crm:FuzzContactValidate internal/crm:FuzzEntrepriseValidate \
	internal/crm:FuzzActivationToken internal/httpapi:FuzzDecodeBodies internal/httpapi:FuzzRequestHeaders \
	internal/dynamo:FuzzCursor internal/csvfr:FuzzText internal/crm:FuzzNormalizeORIAS internal/crm:FuzzParseMembreID internal/csvimport:FuzzParsePlan \
	internal/crm:FuzzLedger internal/crm:FuzzTableauEqualsRecount internal/crm:FuzzSearch
FUZZTIME ?= 5s
RELIABILITY_DIR := .local/reliability

.PHONY: fuzz-short reliability
## fuzz-short: every fuzz target for FUZZTIME (5s) each; inputs executed in .local/reliability/fuzz.json
fuzz-short:
	@mkdir -p $(RELIABILITY_DIR); out=$(RELIABILITY_DIR)/fuzz.json; printf '{' > $$out.tmp; sep=''; \
	for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		log=$$($(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$pkg 2>&1); rc=$$?; \
		execs=$$(echo "$$log" | sed -n 's/.*execs: \([0-9]*\).*/\1/p' | tail -1); \
		if [ $$rc -ne 0 ] && echo "$$log" | grep -q 'context deadline exceeded' && ! echo "$$log" | grep -q 'Failing input'; then \
			rc=0; echo "fuzz $$pkg $$fn: the fuzz time ended while an interesting input was being minimised (Go fuzzer quirk, no failing input)"; fi; \
		if [ $$rc -ne 0 ]; then echo "$$log"; rm -f $$out.tmp; exit 1; fi; \
		echo "fuzz $$pkg $$fn: $${execs:-0} inputs in $(FUZZTIME)"; \
		printf '%s"%s":{"package":"%s","execs":%s,"time":"%s"}' "$$sep" "$$fn" "$$pkg" "$${execs:-0}" "$(FUZZTIME)" >> $$out.tmp; sep=','; \
	done; printf '}\n' >> $$out.tmp; mv $$out.tmp $$out

## reliability: the reliability suite (isolation matrix, hostile input, concurrency, stream faults,
##   log scan in e2e/, then the fuzz targets) and its table of figures in docs/reliability.md;
##   RELIABILITY_RUN=0 prints the table of the last run only
RELIABILITY_RUN ?= 1
reliability: node-modules
	@if [ "$(RELIABILITY_RUN)" != 0 ]; then \
		$(GO) test -count=1 -timeout 10m ./e2e && $(MAKE) --no-print-directory fuzz-short || exit 1; fi
	@$(GO) run ./e2e/reliabilityreport -doc docs/reliability.md $(RELIABILITY_DIR)

## build: every function as build/<function>/bootstrap for provided.al2023 on arm64
build:
	@for fn in $(FUNCTIONS); do \
		echo "build/$$fn/bootstrap"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -tags lambda.norpc -ldflags "-s -w" \
			-o build/$$fn/bootstrap ./functions/$$fn || exit 1; \
	done

clean:
	rm -rf build

.PHONY: bench
## bench: DynamoDB calls, capacity and latency of every route, overhead, flatness (1k vs 100k
##   items of other MIAs) and cold start under aws-lambda-rie, on its own stack on free ports;
##   markdown on stdout and in docs/performance.md, JSON in bench/out/
bench: node-modules
	$(GO) run ./bench -doc $(BENCH_FLAGS)

.PHONY: load
## load: virtual MIA offices and apporteurs at rising concurrency on its own stack on free ports
##   (LOAD_FLAGS: -steps 10,50,100,200 -step-time 20s -offices 10); writes docs/load.md,
##   JSON in bench/out/load.json; exits non-zero when a write was lost
load: node-modules
	$(GO) run ./bench load $(LOAD_FLAGS)

.PHONY: cost
## cost: € per MIA office a month at 1, 100 and 10,000 offices, from the last `make load`
##   (bench/out/load.json), bench/cost/profile.json and the dated bench/cost/prices.json;
##   writes docs/cost.md
cost:
	$(GO) run ./bench cost $(COST_FLAGS)

# The emulators (DynamoDB Local, cognito-local, aws-ses-v2-local), pinned in infra/local.
node-modules: infra/local/node_modules/.package-lock.json

infra/local/node_modules/.package-lock.json: infra/local/package.json infra/local/package-lock.json
	cd infra/local && npm ci --no-audit --no-fund
	@touch $@

# The web client (web/: Vite + Preact + TypeScript), served from web/dist by the local gateway.
# `web` is .PHONY: web/ is also a directory.
.PHONY: web web-test test-browser browser-deps
## browser-deps: Debian's Chromium and pdftotext for the browser tests (installed only when missing)
browser-deps:
	bash web/scripts/ensure-chromium.sh

## web: build the web client into web/dist (npm ci when its lockfile changed)
web: web/node_modules/.package-lock.json
	cd web && npm run build

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

## web-test: the web client's unit tests (formatting, API, Cognito and problem helpers)
web-test: web/node_modules/.package-lock.json
	cd web && npm test

## test-browser: the onboarding text walked in Chromium against a running stack:
##   make test-browser MYCRM_URL=http://localhost:3000 SES_URL=http://localhost:8005
test-browser: web browser-deps
	cd web && MYCRM_URL="$(MYCRM_URL)" SES_URL="$(SES_URL)" npm run test:browser

# Deployment to AWS (docs/deploy.md). `sam build` compiles each function folder (template
# Metadata BuildMethod go1.x) for linux and the template's arm64, taking its flags from
# GOFLAGS: one space-free value per flag, so `-ldflags=-s` (which implies -w on ELF since Go 1.22).
SAM_GOFLAGS  := -tags=lambda.norpc -trimpath -ldflags=-s
DEPLOY_FLAGS ?=
.PHONY: deploy
## deploy: sam build + sam deploy of template.yaml (the first time: make deploy DEPLOY_FLAGS=--guided)
deploy:
	CGO_ENABLED=0 GOFLAGS="$(SAM_GOFLAGS)" sam build
	sam deploy $(DEPLOY_FLAGS)

STACK  ?= mycrm
REGION ?= eu-west-3
.PHONY: deploy-web
## deploy-web: build web/ against the deployed API (VITE_API_BASE = the stack's ApiUrl), upload it
##   to the stack's bucket and invalidate CloudFront (make deploy first; STACK, REGION as in samconfig.toml)
deploy-web: web/node_modules/.package-lock.json
	@set -e; out() { aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) \
		--query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	api=$$(out ApiUrl); bucket=$$(out WebBucketName); dist=$$(out WebDistributionId); \
	echo "API $$api -> s3://$$bucket (CloudFront $$dist)"; \
	(cd web && VITE_API_BASE="$$api" npm run build); \
	aws s3 sync web/dist/assets "s3://$$bucket/assets" --region $(REGION) --exclude '*.map' \
		--cache-control 'public, max-age=31536000, immutable'; \
	aws s3 sync web/dist "s3://$$bucket" --region $(REGION) --delete --exclude 'assets/*' --exclude '*.map' \
		--cache-control 'no-cache'; \
	aws cloudfront create-invalidation --distribution-id "$$dist" --paths '/*' --query Invalidation.Id --output text; \
	echo "web client: $$(out WebUrl)"

.PHONY: bootstrap-staff
## bootstrap-staff: the first Assentis staff account of a deployed stack, which no route can create:
##   make bootstrap-staff EMAIL=prenom.nom@assentis.fr [NOM=… PRENOM=…] (STACK, REGION as deploy-web);
##   the activation email leaves through SES as for POST /admin/mias (docs/deploy.md)
bootstrap-staff:
	@test -n "$(EMAIL)" || { echo "usage: make bootstrap-staff EMAIL=prenom.nom@assentis.fr [NOM=… PRENOM=…] [STACK=mycrm REGION=eu-west-3]"; exit 1; }
	@set -e; out() { aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) \
		--query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	$(GO) run ./cmd/bootstrap-staff -region $(REGION) -table "$$(out TableName)" -mia-pool "$$(out MiaUserPoolId)" \
		-email "$(EMAIL)" $(if $(NOM),-nom "$(NOM)") $(if $(PRENOM),-prenom "$(PRENOM)")
