package mail

// sources holds, per email, its subject, text body and HTML body (inside the
// layout below). Subjects and text go through text/template, HTML through
// html/template: every value is escaped in the HTML.
var sources = map[string][3]string{
	"releve_emis": {
		`Assentis – votre relevé de commissions de {{.Mois}}`,
		`Bonjour{{with .ApporteurPrenom}} {{.}}{{end}},

{{.MIANom}} a émis votre relevé de commissions de {{.Mois}}.

Consultez-le et téléchargez-le (PDF ou tableur) dans votre espace apporteur : {{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .ApporteurPrenom}} {{.}}{{end}},</p>
<p><strong>{{.MIANom}}</strong> a émis votre relevé de commissions de <strong>{{.Mois}}</strong>.</p>
<p><a href="{{.Lien}}">Voir mes relevés</a></p>`,
	},
	"digest": {
		`MyCRM – vos tâches du {{.Jour}}`,
		`Bonjour{{with .Prenom}} {{.}}{{end}},

{{with .Aujourdhui}}Aujourd'hui :
{{range .}}- {{.Titre}}{{with .Heure}} à {{.}}{{end}}{{with .Fiche}} ({{.}}){{end}} : {{.Lien}}
{{end}}
{{end}}{{with .EnRetard}}En retard :
{{range .}}- {{.Titre}}, prévue le {{.Echeance}}{{with .Fiche}} ({{.}}){{end}} : {{.Lien}}
{{end}}
{{end}}Toutes vos tâches : {{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .Prenom}} {{.}}{{end}},</p>
{{with .Aujourdhui}}<h2 style="font-size:16px">Aujourd'hui</h2>
<ul>{{range .}}<li><a href="{{.Lien}}">{{.Titre}}</a>{{with .Heure}} à {{.}}{{end}}{{with .Fiche}} ({{.}}){{end}}</li>{{end}}</ul>{{end}}
{{with .EnRetard}}<h2 style="font-size:16px">En retard</h2>
<ul>{{range .}}<li><a href="{{.Lien}}">{{.Titre}}</a>, prévue le {{.Echeance}}{{with .Fiche}} ({{.}}){{end}}</li>{{end}}</ul>{{end}}
<p><a href="{{.Lien}}">Toutes vos tâches</a></p>`,
	},
	"apporteur_invitation": {
		`Assentis – {{.MIANom}} vous invite à activer votre espace apporteur`,
		`Bonjour{{with .Prenom}} {{.}}{{end}},

{{.MIANom}}{{with .Cabinet}} ({{.}}){{end}}, mandataire du réseau Assentis, vous a enregistré comme apporteur d'affaires.

Activez votre espace apporteur en choisissant votre mot de passe :
{{.Lien}}

Ce lien est personnel, ne sert qu'une fois et expire dans 7 jours.
Depuis votre espace, vous pourrez transmettre des contacts à {{.MIANom}}, suivre l'avancement de leurs contrats et consulter votre commission prévisionnelle.

Si vous n'attendiez pas ce message, ignorez-le simplement.

L'équipe Assentis
`,
		`<p>Bonjour{{with .Prenom}} {{.}}{{end}},</p>
<p><strong>{{.MIANom}}</strong>{{with .Cabinet}} ({{.}}){{end}}, mandataire du réseau Assentis, vous a enregistré comme apporteur d'affaires.</p>
<p>Activez votre espace apporteur en choisissant votre mot de passe&nbsp;:</p>
<p><a href="{{.Lien}}" style="display:inline-block;padding:10px 18px;background:#0b4f8a;color:#ffffff;text-decoration:none;border-radius:4px">Activer mon espace</a></p>
<p style="font-size:13px;color:#555">Ce lien est personnel, ne sert qu'une fois et expire dans 7 jours. S'il ne s'ouvre pas, copiez cette adresse dans votre navigateur&nbsp;: {{.Lien}}</p>
<p>Depuis votre espace, vous pourrez transmettre des contacts à {{.MIANom}}, suivre l'avancement de leurs contrats et consulter votre commission prévisionnelle.</p>
<p style="font-size:13px;color:#555">Si vous n'attendiez pas ce message, ignorez-le simplement.</p>`,
	},
	"apporteur_autre_mia": {
		`Assentis – {{.MIANom}} vous propose de travailler avec lui`,
		`Bonjour{{with .Prenom}} {{.}}{{end}},

{{.MIANom}}{{with .Cabinet}} ({{.}}){{end}}, mandataire du réseau Assentis, souhaite travailler avec vous comme apporteur d'affaires.

Vous avez déjà un espace apporteur MyCRM : gardez votre mot de passe. Connectez-vous et acceptez l'invitation dans « Mes mandataires » :
{{.Lien}}

Une fois l'invitation acceptée, vous passez d'un mandataire à l'autre depuis votre espace ; chacun ne voit que ce que vous lui transmettez.

Si vous n'attendiez pas ce message, ignorez-le simplement.

L'équipe Assentis
`,
		`<p>Bonjour{{with .Prenom}} {{.}}{{end}},</p>
<p><strong>{{.MIANom}}</strong>{{with .Cabinet}} ({{.}}){{end}}, mandataire du réseau Assentis, souhaite travailler avec vous comme apporteur d'affaires.</p>
<p>Vous avez déjà un espace apporteur MyCRM&nbsp;: gardez votre mot de passe. Connectez-vous et acceptez l'invitation dans «&nbsp;Mes mandataires&nbsp;».</p>
<p><a href="{{.Lien}}" style="display:inline-block;padding:10px 18px;background:#0b4f8a;color:#ffffff;text-decoration:none;border-radius:4px">Voir l'invitation</a></p>
<p>Une fois l'invitation acceptée, vous passez d'un mandataire à l'autre depuis votre espace&nbsp;; chacun ne voit que ce que vous lui transmettez.</p>
<p style="font-size:13px;color:#555">Si vous n'attendiez pas ce message, ignorez-le simplement.</p>`,
	},
	"convention_a_accepter": {
		`Assentis – {{.MIANom}} vous propose une convention d'apport à accepter`,
		`Bonjour{{with .Prenom}} {{.}}{{end}},

{{.MIANom}} vous propose la convention d'apport qui encadre votre collaboration (version {{.Version}}) : votre statut, votre rémunération, la reprise et la protection des données.

Lisez-la et acceptez-la dans votre espace apporteur :
{{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .Prenom}} {{.}}{{end}},</p>
<p><strong>{{.MIANom}}</strong> vous propose la convention d'apport qui encadre votre collaboration (version {{.Version}})&nbsp;: votre statut, votre rémunération, la reprise et la protection des données.</p>
<p><a href="{{.Lien}}" style="display:inline-block;padding:10px 18px;background:#0b4f8a;color:#ffffff;text-decoration:none;border-radius:4px">Lire la convention</a></p>`,
	},
	"convention_acceptee": {
		`Assentis – {{.ApporteurNom}} a accepté la convention d'apport`,
		`Bonjour{{with .MIAPrenom}} {{.}}{{end}},

{{.ApporteurNom}} a accepté la convention d'apport (version {{.Version}}). La preuve de l'acceptation et le PDF accepté sont sur sa fiche :
{{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .MIAPrenom}} {{.}}{{end}},</p>
<p><strong>{{.ApporteurNom}}</strong> a accepté la convention d'apport (version {{.Version}}). La preuve de l'acceptation et le PDF accepté sont sur sa fiche.</p>
<p><a href="{{.Lien}}">Ouvrir la fiche de l'apporteur</a></p>`,
	},
	"mia_activation": {
		`Assentis – activez votre compte MyCRM`,
		`Bonjour{{with .Prenom}} {{.}}{{end}},

Assentis a créé votre compte MyCRM de mandataire.

Activez-le en choisissant votre mot de passe :
{{.Lien}}

Ce lien est personnel, ne sert qu'une fois et expire dans 7 jours.

L'équipe Assentis
`,
		`<p>Bonjour{{with .Prenom}} {{.}}{{end}},</p>
<p>Assentis a créé votre compte MyCRM de mandataire.</p>
<p>Activez-le en choisissant votre mot de passe&nbsp;:</p>
<p><a href="{{.Lien}}" style="display:inline-block;padding:10px 18px;background:#0b4f8a;color:#ffffff;text-decoration:none;border-radius:4px">Activer mon compte</a></p>
<p style="font-size:13px;color:#555">Ce lien est personnel, ne sert qu'une fois et expire dans 7 jours. S'il ne s'ouvre pas, copiez cette adresse dans votre navigateur&nbsp;: {{.Lien}}</p>`,
	},
	"information_article14": {
		`{{.MIANom}} – information sur vos données personnelles`,
		`Bonjour{{with .ContactPrenom}} {{.}}{{end}},

{{.ApporteurNom}} nous a transmis vos coordonnées afin que {{.MIANom}}{{with .Cabinet}} ({{.}}){{end}}, mandataire d'intermédiaire d'assurance du réseau Assentis, puisse vous contacter au sujet de vos besoins d'assurance.

Qui détient vos données : {{.MIANom}}{{with .Cabinet}}, {{.}}{{end}}, responsable de leur traitement{{with .MIAEmail}} ({{.}}){{end}}.
Pourquoi : étudier vos besoins et vous proposer des contrats d'assurance adaptés ; sans contrat, vos données sont conservées au plus 3 ans après notre dernier contact.
Quelles données : votre nom et les coordonnées transmises (téléphone, email, adresse).

Vous pouvez à tout moment accéder à vos données, les faire rectifier ou effacer, vous opposer à leur traitement ou en demander la limitation et la portabilité, en écrivant à {{if .MIAEmail}}{{.MIAEmail}}{{else}}{{.MIANom}}{{end}}. Vous pouvez aussi adresser une réclamation à la CNIL (www.cnil.fr).

{{.MIANom}}
`,
		`<p>Bonjour{{with .ContactPrenom}} {{.}}{{end}},</p>
<p>{{.ApporteurNom}} nous a transmis vos coordonnées afin que <strong>{{.MIANom}}</strong>{{with .Cabinet}} ({{.}}){{end}}, mandataire d'intermédiaire d'assurance du réseau Assentis, puisse vous contacter au sujet de vos besoins d'assurance.</p>
<ul>
<li><strong>Qui détient vos données&nbsp;:</strong> {{.MIANom}}{{with .Cabinet}}, {{.}}{{end}}, responsable de leur traitement{{with .MIAEmail}} ({{.}}){{end}}.</li>
<li><strong>Pourquoi&nbsp;:</strong> étudier vos besoins et vous proposer des contrats d'assurance adaptés&nbsp;; sans contrat, vos données sont conservées au plus 3 ans après notre dernier contact.</li>
<li><strong>Quelles données&nbsp;:</strong> votre nom et les coordonnées transmises (téléphone, email, adresse).</li>
</ul>
<p>Vous pouvez à tout moment accéder à vos données, les faire rectifier ou effacer, vous opposer à leur traitement ou en demander la limitation et la portabilité, en écrivant à {{if .MIAEmail}}{{.MIAEmail}}{{else}}{{.MIANom}}{{end}}. Vous pouvez aussi adresser une réclamation à la CNIL (www.cnil.fr).</p>`,
	},
	"contact_ajoute": {
		`Assentis – {{.ApporteurNom}} vous a transmis un nouveau contact`,
		`Bonjour{{with .MIAPrenom}} {{.}}{{end}},

Votre apporteur {{.ApporteurNom}} vient de vous transmettre un nouveau contact : {{.ContactNom}}.
Il est déjà dans votre base de contacts, attribué à {{.ApporteurNom}}.

Retrouvez-le dans MyCRM : {{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .MIAPrenom}} {{.}}{{end}},</p>
<p>Votre apporteur <strong>{{.ApporteurNom}}</strong> vient de vous transmettre un nouveau contact&nbsp;: <strong>{{.ContactNom}}</strong>.</p>
<p>Il est déjà dans votre base de contacts, attribué à {{.ApporteurNom}}.</p>
<p><a href="{{.Lien}}">Ouvrir MyCRM</a></p>`,
	},
	"statut_affaire": {
		`Assentis – l'affaire de {{.ContactNom}} est {{statut .Apres}}`,
		`Bonjour{{with .ApporteurPrenom}} {{.}}{{end}},

L'affaire {{with .ProduitNom}}« {{.}} » {{end}}de votre contact {{.ContactNom}} est passée de « {{statut .Avant}} » à « {{statut .Apres}} ».

Suivez vos affaires et votre commission prévisionnelle dans votre espace apporteur : {{.Lien}}

L'équipe Assentis
`,
		`<p>Bonjour{{with .ApporteurPrenom}} {{.}}{{end}},</p>
<p>L'affaire {{with .ProduitNom}}«&nbsp;{{.}}&nbsp;» {{end}}de votre contact <strong>{{.ContactNom}}</strong> est passée de «&nbsp;{{statut .Avant}}&nbsp;» à «&nbsp;<strong>{{statut .Apres}}</strong>&nbsp;».</p>
<p><a href="{{.Lien}}">Ouvrir mon espace apporteur</a></p>`,
	},
}

const layoutStart = `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Assentis</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1d2733">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px 28px;border-radius:6px">
<p style="font-size:20px;font-weight:bold;color:#0b4f8a;margin-top:0">Assentis</p>
`

const layoutEnd = `
<p>L'équipe Assentis</p>
</div>
<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#777">Assentis – réseau de mandataires d'intermédiaire d'assurance. Message automatique, merci de ne pas y répondre.</p>
</body>
</html>
`
