import { useState } from "preact/hooks";
import { api } from "../app";
import { passwordRules } from "../lib/format";
import { navigate } from "../lib/router";
import { Link } from "../components/elements";
import { FormErrors, InputField } from "../components/forms";
import { useForm } from "../hooks/useForm";
import { AuthCard } from "../components/Layout";
import { homeOf } from "./Login";
import type { ActivationResultat } from "../generated/openapi";

export function Activation({ token }: { token: string }) {
  const f = useForm({ motDePasse: "", confirmation: "" });
  const [shown, setShown] = useState(false);
  const rules = passwordRules(f.values.motDePasse);

  if (!token) {
    return (
      <AuthCard title="Activation du compte">
        <div class="alert alert-error" role="alert">
          Ce lien d'activation est incomplet. Ouvrez le lien reçu par email, ou demandez à votre MIA de vous en renvoyer un.
        </div>
        <Link href="/connexion">Aller à la connexion</Link>
      </AuthCard>
    );
  }

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const v = f.values;
    if (
      !f.check({
        motDePasse: rules.every((r) => r.ok) ? undefined : "Le mot de passe ne respecte pas toutes les règles.",
        confirmation: v.confirmation === v.motDePasse ? undefined : "Les deux mots de passe ne sont pas identiques.",
      })
    )
      return;
    f.submit(
      async () => {
        const r = await api.request<ActivationResultat>("POST", "/activation", {
          body: { token, motDePasse: v.motDePasse },
          anonymous: true,
        });
        const { pool, email } = r.data;
        // Log straight in with the password just chosen; fall back to the login page.
        try {
          await api.login(pool, email, v.motDePasse);
          navigate(homeOf(pool), { replace: true });
          return;
        } catch {
          /* the login page below says the account is active */
        }
        const params = new URLSearchParams({ active: "1", espace: pool, email });
        navigate(`/connexion?${params}`, { replace: true });
      },
      ["motDePasse"],
    );
  };

  return (
    <AuthCard title="Activation du compte">
      <p>Choisissez votre mot de passe pour accéder à votre espace.</p>
      <form onSubmit={onSubmit} ref={f.formRef} noValidate>
        <InputField
          form={f}
          name="motDePasse"
          label="Mot de passe"
          type={shown ? "text" : "password"}
          required
          hint={
            <ul class="rules" aria-label="Règles du mot de passe">
              {rules.map((r) => (
                <li class={r.ok ? "ok" : ""}>
                  <span aria-hidden="true">{r.ok ? "✓" : "•"}</span> {r.text}
                  <span class="sr-only">{r.ok ? " (respecté)" : " (à respecter)"}</span>
                </li>
              ))}
            </ul>
          }
          autoComplete="new-password"
        />
        <InputField
          form={f}
          name="confirmation"
          label="Confirmez le mot de passe"
          type={shown ? "text" : "password"}
          required
          autoComplete="new-password"
        />
        <label class="inline-check">
          <input type="checkbox" checked={shown} onChange={(e) => setShown(e.currentTarget.checked)} /> Afficher les mots de
          passe
        </label>
        <FormErrors messages={f.general} />
        <button type="submit" class="btn btn-primary btn-block" disabled={f.busy}>
          {f.busy ? "Activation…" : "Activer mon compte"}
        </button>
      </form>
      <p class="auth-help">
        Déjà activé ? <Link href="/connexion">Se connecter</Link>. Lien expiré : demandez à votre MIA de vous renvoyer
        l'invitation.
      </p>
    </AuthCard>
  );
}
