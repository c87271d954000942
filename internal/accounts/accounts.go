// Package accounts manages the Cognito user accounts of MyCRM: the MIA pool
// and the apporteur pool. Users are created by an administrator (never by
// sign-up), with the email as username and the tenant ids as custom
// attributes; Cognito sends nothing itself (MessageAction SUPPRESS): MyCRM
// mails its own activation link (internal/mail).
package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Custom attributes written on every account. They are readable by the app
// clients but not writable: a user never changes its own tenant.
const (
	AttrMIAID       = "custom:mia_id"
	AttrApporteurID = "custom:apporteur_id"
)

// API is the part of the Cognito client a Pool uses.
type API interface {
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminSetUserPassword(context.Context, *cip.AdminSetUserPasswordInput, ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	AdminDisableUser(context.Context, *cip.AdminDisableUserInput, ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	AdminEnableUser(context.Context, *cip.AdminEnableUserInput, ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error)
	AdminAddUserToGroup(context.Context, *cip.AdminAddUserToGroupInput, ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

var _ API = (*cip.Client)(nil)

// ClientAPI is c as an API made of its method values, so that c itself is
// never put in an interface: once reflect's method lookup by name is linked
// (text/template, which the mail texts use, links it), the linker keeps
// every exported method of a type put in an interface, here the whole
// Cognito API.
func ClientAPI(c *cip.Client) API {
	return clientAPI{c.AdminCreateUser, c.AdminGetUser, c.AdminSetUserPassword, c.AdminDisableUser, c.AdminEnableUser, c.AdminAddUserToGroup, c.AdminDeleteUser}
}

type clientAPI struct {
	createUser  func(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	getUser     func(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	setPassword func(context.Context, *cip.AdminSetUserPasswordInput, ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	disable     func(context.Context, *cip.AdminDisableUserInput, ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	enable      func(context.Context, *cip.AdminEnableUserInput, ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error)
	addToGroup  func(context.Context, *cip.AdminAddUserToGroupInput, ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	deleteUser  func(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

func (c clientAPI) AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, o ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error) {
	return c.deleteUser(ctx, in, o...)
}

func (c clientAPI) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, o ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error) {
	return c.createUser(ctx, in, o...)
}

func (c clientAPI) AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, o ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	return c.getUser(ctx, in, o...)
}

func (c clientAPI) AdminSetUserPassword(ctx context.Context, in *cip.AdminSetUserPasswordInput, o ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error) {
	return c.setPassword(ctx, in, o...)
}

func (c clientAPI) AdminDisableUser(ctx context.Context, in *cip.AdminDisableUserInput, o ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error) {
	return c.disable(ctx, in, o...)
}

func (c clientAPI) AdminEnableUser(ctx context.Context, in *cip.AdminEnableUserInput, o ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error) {
	return c.enable(ctx, in, o...)
}

func (c clientAPI) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, o ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	return c.addToGroup(ctx, in, o...)
}

// Pool is one Cognito user pool on which MyCRM acts as administrator.
type Pool struct {
	api API
	id  string
}

// NewPool returns the pool poolID reached through api.
func NewPool(api API, poolID string) *Pool {
	return &Pool{api: api, id: poolID}
}

// NewUser is an account to create. Email is already normalised (lower case):
// it is the username.
type NewUser struct {
	Email       string
	MIAID       crm.MIAID
	ApporteurID string // empty for a MIA account
}

// CreateUser creates the account without any message from Cognito and with
// the email already verified (the activation link proves it). It is
// idempotent: when the user already exists with the same tenant ids it
// returns its sub and no error, so a redelivered stream record creates no
// second account; a user of another MIA or apporteur is ECONFLICT.
func (p *Pool) CreateUser(ctx context.Context, u NewUser) (sub string, err error) {
	attrs := []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String(u.Email)},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
		{Name: aws.String(AttrMIAID), Value: aws.String(string(u.MIAID))},
	}
	if u.ApporteurID != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String(AttrApporteurID), Value: aws.String(u.ApporteurID)})
	}
	out, err := p.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:     aws.String(p.id),
		Username:       aws.String(u.Email),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: attrs,
	})
	var exists *types.UsernameExistsException
	switch {
	case errors.As(err, &exists):
		return p.existing(ctx, u)
	case err != nil:
		return "", translate("create user", err)
	}
	return attribute(out.User.Attributes, "sub"), nil
}

// Find returns the sub of u's account, found by its email: ENOTFOUND when
// there is none, ECONFLICT when the account with that email belongs to
// another MIA or apporteur (nothing may then be done to it). It serves only
// accounts whose sub was not recorded (created before subs were stored):
// every other call addresses the user by its sub.
func (p *Pool) Find(ctx context.Context, u NewUser) (sub string, err error) {
	return p.existing(ctx, u)
}

// SubOf returns the sub of the account whose username is email, whatever
// MIA it was made for (ENOTFOUND when none): a second MIA's invitation is
// recorded for that person, whose account stays untouched.
func (p *Pool) SubOf(ctx context.Context, email string) (string, error) {
	out, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.id), Username: aws.String(email)})
	if err != nil {
		return "", translate("get user", err)
	}
	return attribute(out.UserAttributes, "sub"), nil
}

func (p *Pool) existing(ctx context.Context, u NewUser) (string, error) {
	out, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.id), Username: aws.String(u.Email)})
	if err != nil {
		return "", translate("get user", err)
	}
	if attribute(out.UserAttributes, AttrMIAID) != string(u.MIAID) || attribute(out.UserAttributes, AttrApporteurID) != u.ApporteurID {
		return "", &crm.Error{Code: crm.ECONFLICT, Message: "Un autre compte utilise déjà cette adresse email.",
			Err: errors.New("existing user has other tenant ids")}
	}
	return attribute(out.UserAttributes, "sub"), nil
}

// The calls below take the user's sub: Cognito accepts it wherever a
// username is expected, and unlike the email (a user attribute) it can
// never change, so an admin call cannot miss the account or reach another.

// SetPassword sets the user's permanent password (the user is then CONFIRMED
// and can log in). A password breaking the pool's policy is EINVALID with the
// rules in French; it is checked here first because cognito-local does not.
func (p *Pool) SetPassword(ctx context.Context, sub, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	_, err := p.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(p.id),
		Username:   aws.String(sub),
		Password:   aws.String(password),
		Permanent:  true,
	})
	return translate("set password", err)
}

// Disable forbids the user to log in. Tokens already issued stay valid until
// they expire: the API checks the account's statut in the table as well. A
// sub that names no user is ENOTFOUND: the caller knows the account exists,
// so that is a fault, not "nothing to do".
func (p *Pool) Disable(ctx context.Context, sub string) error {
	_, err := p.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p.id), Username: aws.String(sub)})
	return translate("disable user", err)
}

// Delete removes the user (RGPD erasure of an apporteur: its email is the
// username). A user already gone is not an error.
func (p *Pool) Delete(ctx context.Context, sub string) error {
	_, err := p.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.id), Username: aws.String(sub)})
	if crm.ErrorCode(translate("delete user", err)) == crm.ENOTFOUND {
		return nil
	}
	return translate("delete user", err)
}

// Enable lets a disabled user log in again.
func (p *Pool) Enable(ctx context.Context, sub string) error {
	_, err := p.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(p.id), Username: aws.String(sub)})
	return translate("enable user", err)
}

// AddToGroup puts the user in group (e.g. "assentis" for staff). Adding a
// member again is not an error.
func (p *Pool) AddToGroup(ctx context.Context, sub, group string) error {
	_, err := p.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(p.id), Username: aws.String(sub), GroupName: aws.String(group),
	})
	return translate("add user to group", err)
}

// PasswordRules is the pool's password policy in French, as shown to users.
const PasswordRules = "Le mot de passe doit contenir au moins 10 caractères, dont une minuscule, une majuscule et un chiffre."

// CheckPassword applies the pools' password policy (template.yaml:
// MinimumLength 10, lower case, upper case and a digit).
func CheckPassword(pw string) error {
	var lower, upper, digit bool
	n := 0
	for _, r := range pw {
		n++
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if n < 10 || n > 256 || !lower || !upper || !digit || strings.TrimSpace(pw) != pw {
		return invalidPassword()
	}
	return nil
}

func invalidPassword() *crm.Error {
	return crm.Invalid(crm.FieldError{Champ: "motDePasse", Message: PasswordRules})
}

// translate turns a Cognito failure into a coded crm error; nil stays nil.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		invalidPw *types.InvalidPasswordException
		notFound  *types.UserNotFoundException
		noGroup   *types.ResourceNotFoundException
		tooMany   *types.TooManyRequestsException
		limit     *types.LimitExceededException
	)
	switch {
	case errors.As(err, &invalidPw):
		e := invalidPassword()
		e.Err = err
		return e
	case errors.As(err, &notFound):
		return &crm.Error{Code: crm.ENOTFOUND, Message: "Ce compte n'existe pas.", Err: fmt.Errorf("%s: %w", op, err)}
	case errors.As(err, &noGroup):
		return &crm.Error{Code: crm.EINTERNAL, Message: "Erreur interne.", Err: fmt.Errorf("%s: %w", op, err)}
	case errors.As(err, &tooMany), errors.As(err, &limit):
		return &crm.Error{Code: crm.ETOOMANY, Message: "Trop de demandes, réessayez dans un instant.", Err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func attribute(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
