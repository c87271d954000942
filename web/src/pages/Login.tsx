import { useState } from "preact/hooks";
import { api } from "../app";
import type { Pool } from "../lib/cognito";
import { navigate } from "../lib/router";
import { Notice } from "../components/feedback";
import { FormErrors, InputField } from "../components/forms";
import { useForm } from "../hooks/useForm";
import { AuthCard } from "../components/Layout";

export function homeOf(pool: Pool): string {
  return pool === "mia" ? "/mia" : "/espace/contacts";
}

export function Login({ notice, initialPool, initialEmail }: { notice?: string; initialPool?: Pool; initialEmail?: string }) {
  const [pool, setPool] = useState<Pool>(initialPool ?? "mia");
  const f = useForm({ email: initialEmail ?? "", motDePasse: "" });

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    if (
      !f.check({
        email: v.email.trim() ? undefined : "Saisissez votre adresse email.",
        motDePasse: v.motDePasse ? undefined : "Saisissez votre mot de passe.",
      })
    )
      return;
    f.submit(async () => {
      await api.login(pool, v.email, v.motDePasse);
      const next = new URLSearchParams(location.search).get("suite");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : homeOf(pool), { replace: true });
    });
  };

  return (
    <AuthCard title="Connexion">
      {notice && <Notice>{notice}</Notice>}
      <form onSubmit={onSubmit} ref={f.formRef} noValidate>
        <fieldset class="pool-choice">
          <legend>Votre espace</legend>
          <label class={`choice${pool === "mia" ? " checked" : ""}`}>
            <input type="radio" name="pool" value="mia" checked={pool === "mia"} onChange={() => setPool("mia")} />
            Je suis MIA
          </label>
          <label class={`choice${pool === "apporteur" ? " checked" : ""}`}>
            <input
              type="radio"
              name="pool"
              value="apporteur"
              checked={pool === "apporteur"}
              onChange={() => setPool("apporteur")}
            />
            Je suis apporteur
          </label>
        </fieldset>
        <InputField form={f} name="email" label="Adresse email" type="email" required autoComplete="username" />
        <InputField form={f} name="motDePasse" label="Mot de passe" type="password" required autoComplete="current-password" />
        <FormErrors messages={f.general} />
        <button type="submit" class="btn btn-primary btn-block" disabled={f.busy}>
          {f.busy ? "Connexion…" : "Se connecter"}
        </button>
      </form>
      <p class="auth-help">
        Apporteur : votre compte s'active depuis le lien reçu par email de la part d'Assentis.
      </p>
    </AuthCard>
  );
}
