// k8s-manifest-check validates rendered Kubernetes manifests offline by decoding every document strictly into
// the k8s.io/api Go types (the same types the API server decodes into): unknown fields, wrong value types and
// unknown apiVersion/kind pairs fail. It stands in for kubeconform, whose JSON schemas cannot be downloaded here.
// It also checks a few invariants the API server would reject (names, selectors matching pod labels, images).
//
//	helm template ... | k8s-manifest-check -      or      k8s-manifest-check file.yaml ...
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Minimal typed views of the two CRDs the chart can render, so typos in them fail too.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		JobLabel          string               `json:"jobLabel,omitempty"`
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector *struct {
			MatchNames []string `json:"matchNames,omitempty"`
			Any        bool     `json:"any,omitempty"`
		} `json:"namespaceSelector,omitempty"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path,omitempty"`
			Interval      string `json:"interval,omitempty"`
			ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
			Scheme        string `json:"scheme,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

type kafkaTopic struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		TopicName  string            `json:"topicName,omitempty"`
		Partitions int32             `json:"partitions"`
		Replicas   int32             `json:"replicas"`
		Config     map[string]string `json:"config,omitempty"`
	} `json:"spec"`
}

func newObject(apiVersion, kind string) (interface{}, bool) {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, true
	case "v1/Secret":
		return &corev1.Secret{}, true
	case "v1/Service":
		return &corev1.Service{}, true
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, true
	case "v1/Pod":
		return &corev1.Pod{}, true
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, true
	case "batch/v1/Job":
		return &batchv1.Job{}, true
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, true
	case "autoscaling/v2/HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, true
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}, true
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &serviceMonitor{}, true
	case "kafka.strimzi.io/v1beta2/KafkaTopic":
		return &kafkaTopic{}, true
	}
	return nil, false
}

var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func checkPodSpec(where string, tpl *corev1.PodTemplateSpec, selector *metav1.LabelSelector) []string {
	var errs []string
	if selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: invalid selector: %v", where, err))
		} else if !sel.Matches(labels.Set(tpl.Labels)) {
			errs = append(errs, fmt.Sprintf("%s: selector does not match the pod template labels", where))
		}
	}
	if len(tpl.Spec.Containers) == 0 {
		errs = append(errs, where+": no containers")
	}
	volumes := map[string]bool{}
	for _, v := range tpl.Spec.Volumes {
		volumes[v.Name] = true
	}
	for _, c := range append(append([]corev1.Container{}, tpl.Spec.InitContainers...), tpl.Spec.Containers...) {
		if c.Name == "" || c.Image == "" {
			errs = append(errs, fmt.Sprintf("%s: container %q needs a name and an image", where, c.Name))
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				errs = append(errs, fmt.Sprintf("%s: container %q mounts unknown volume %q", where, c.Name, m.Name))
			}
		}
		for _, e := range c.Env {
			if e.Name == "" {
				errs = append(errs, fmt.Sprintf("%s: container %q has an env var without a name", where, c.Name))
			}
		}
	}
	return errs
}

func check(doc []byte) (string, []string) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return "?", []string{"not YAML: " + err.Error()}
	}
	id := fmt.Sprintf("%s/%s %s", head.APIVersion, head.Kind, head.Metadata.Name)
	obj, ok := newObject(head.APIVersion, head.Kind)
	if !ok {
		return id, []string{"unknown apiVersion/kind (not in the checked set)"}
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return id, []string{err.Error()}
	}
	var errs []string
	if head.Metadata.Name == "" || len(head.Metadata.Name) > 253 || !dns1123.MatchString(head.Metadata.Name) {
		errs = append(errs, "metadata.name must be a DNS-1123 name")
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		if o.Spec.Selector == nil {
			errs = append(errs, "spec.selector is required")
		}
		errs = append(errs, checkPodSpec("spec.template", &o.Spec.Template, o.Spec.Selector)...)
	case *batchv1.Job:
		errs = append(errs, checkPodSpec("spec.template", &o.Spec.Template, nil)...)
		if p := o.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
			errs = append(errs, "a Job's restartPolicy must be Never or OnFailure")
		}
	case *corev1.Service:
		for _, p := range o.Spec.Ports {
			if p.Port <= 0 {
				errs = append(errs, fmt.Sprintf("service port %q needs a port", p.Name))
			}
		}
	case *policyv1.PodDisruptionBudget:
		if (o.Spec.MinAvailable == nil) == (o.Spec.MaxUnavailable == nil) {
			errs = append(errs, "exactly one of minAvailable and maxUnavailable")
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if o.Spec.MaxReplicas < 1 || (o.Spec.MinReplicas != nil && *o.Spec.MinReplicas > o.Spec.MaxReplicas) {
			errs = append(errs, "maxReplicas must be >= 1 and >= minReplicas")
		}
	case *serviceMonitor:
		if len(o.Spec.Endpoints) == 0 {
			errs = append(errs, "ServiceMonitor needs endpoints")
		}
	}
	return id, errs
}

func splitDocs(r io.Reader) ([][]byte, error) {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	flush := func() {
		if strings.TrimSpace(stripComments(cur.String())) != "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
		}
		cur.Reset()
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			flush()
			continue
		}
		cur.WriteString(line + "\n")
	}
	flush()
	return docs, sc.Err()
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		args = []string{"-"}
	}
	failed := 0
	total := 0
	for _, a := range args {
		var r io.Reader = os.Stdin
		if a != "-" {
			f, err := os.Open(a)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		docs, err := splitDocs(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, d := range docs {
			total++
			id, errs := check(d)
			if len(errs) == 0 {
				fmt.Printf("ok %s\n", id)
				continue
			}
			failed++
			for _, e := range errs {
				fmt.Printf("INVALID %s: %s\n", id, e)
			}
		}
	}
	fmt.Printf("%d manifests, %d invalid\n", total, failed)
	if failed > 0 || total == 0 {
		os.Exit(1)
	}
}
